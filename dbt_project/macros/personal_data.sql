{#
    Phones and e-mails never leave staging in the clear: they become a salted SHA-256 that
    is only good as a join key (a plain hash of a phone number is reversible by brute force
    over the 10^10 Russian numbers; the secret salt is what prevents that).
#}

{#
    The salt, as SQL that reads it at run time. It never appears in SQL text (compiled
    files, logs, view definitions): the adapter's connection receives it as a bound
    session variable (duckdb: the `salesboard_dbt_plugins.phone_salt` plugin), or the engine
    substitutes it from its environment (spark).
#}
{% macro personal_data_salt() -%}
    {{ return(adapter.dispatch('personal_data_salt')()) }}
{%- endmacro %}

{% macro duckdb__personal_data_salt() -%}
    getvariable('phone_salt')
{%- endmacro %}

{#
    Spark: the driver substitutes `${env:SALESBOARD_PHONE_SALT}` from its own environment
    while parsing the statement, so the salt is in no SQL text, log, conf or command line
    (it does appear in the driver's query plans: keep event logs off, see README). A driver
    without the variable leaves the reference unsubstituted; that fails instead of hashing
    with a public salt.
#}
{% macro spark__personal_data_salt() -%}
    (case
        when '${env:SALESBOARD_PHONE_SALT}' not in ('', '$' || '{env:SALESBOARD_PHONE_SALT}')
            then '${env:SALESBOARD_PHONE_SALT}'
        else raise_error('SALESBOARD_PHONE_SALT must be set in the Spark driver')
    end)
{%- endmacro %}

{% macro default__personal_data_salt() -%}
    {{ exceptions.raise_compiler_error("personal_data_salt: no secret-safe salt source for " ~ target.type) }}
{%- endmacro %}

{# Salted hash of an already normalised value; null stays null. #}
{% macro salted_hash(normalized) -%}
    case
        when {{ normalized }} is not null
            then {{ sha256_hex(dbt.concat([personal_data_salt(), normalized])) }}
    end
{%- endmacro %}

{#
    A Russian phone number typed any way as E.164 (`+7` and 10 digits):
    `+7 (913) 123-45-67`, `8 913 1234567`, `79131234567`, `8(913)123-45-67`, `+79131234567`
    and `9131234567` all give `+79131234567`. Anything else that is not 11-15 digits is
    null (an extension like `00000*101` is not a phone); foreign numbers keep their digits.
#}
{% macro phone_e164(column) -%}
    {%- set digits = digits_only(column) -%}
    case
        when length({{ digits }}) = 10 and substr({{ digits }}, 1, 1) = '9'
            then {{ dbt.concat(["'+7'", digits]) }}
        when length({{ digits }}) = 11 and substr({{ digits }}, 1, 1) in ('7', '8')
            then {{ dbt.concat(["'+7'", "substr(" ~ digits ~ ", 2)"]) }}
        when length({{ digits }}) between 11 and 15 and {{ column }} like '+%'
            then {{ dbt.concat(["'+'", digits]) }}
    end
{%- endmacro %}

{# The salted hash of a phone number typed any way: the join key between CRM and calls. #}
{% macro phone_hash(column) -%}
    {{ salted_hash(phone_e164(column)) }}
{%- endmacro %}

{# E-mails compare case-insensitively and without surrounding blanks. #}
{% macro email_hash(column) -%}
    {{ salted_hash("nullif(lower(trim(" ~ column ~ ")), '')") }}
{%- endmacro %}
