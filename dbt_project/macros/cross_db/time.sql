{#
    Time handling. Landing columns are UTC instants (timestamptz in DuckDB); from staging on
    every `*_at` column is a plain `timestamp` holding UTC, and every `*_day` / `*_month`
    column is a calendar date in the business time zone (`required_var('business_tz')`, from
    salesboard/calendar.py), see DECISIONS.md.
#}

{# An instant from landing as a naive timestamp in UTC. #}
{% macro utc_timestamp(column) -%}
    {{ return(adapter.dispatch('utc_timestamp', 'salesboard')(column)) }}
{%- endmacro %}

{% macro default__utc_timestamp(column) -%}
    cast({{ column }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__utc_timestamp(column) -%}
    timezone('UTC', {{ column }})
{%- endmacro %}

{# The business-time-zone calendar day of a naive UTC timestamp. #}
{% macro business_day(column) -%}
    {{ return(adapter.dispatch('business_day', 'salesboard')(column)) }}
{%- endmacro %}

{% macro default__business_day(column) -%}
    to_date(from_utc_timestamp({{ column }}, '{{ required_var("business_tz") }}'))
{%- endmacro %}

{% macro duckdb__business_day(column) -%}
    cast(timezone('{{ required_var("business_tz") }}', timezone('UTC', {{ column }})) as date)
{%- endmacro %}

{#
    Seconds from `start` to `finish` with sub-second precision (datediff truncates), as a
    double. The difference is taken in whole microseconds first: two epoch seconds near
    1.7e9 are only good to ~2e-7 s as doubles, so their difference (1.0999999046 for a
    1.1 s ring) could move a value across a rule's boundary (rings = floor(seconds / 5)).
#}
{% macro seconds_between(start, finish) -%}
    {{ return(adapter.dispatch('seconds_between', 'salesboard')(start, finish)) }}
{%- endmacro %}

{% macro default__seconds_between(start, finish) -%}
    ((unix_micros({{ finish }}) - unix_micros({{ start }})) / 1e6)
{%- endmacro %}

{% macro duckdb__seconds_between(start, finish) -%}
    ((epoch_us({{ finish }}) - epoch_us({{ start }})) / 1e6)
{%- endmacro %}

{# A 'YYYY-MM-DD' string as a date literal. #}
{% macro day_literal(day) -%}
    cast('{{ day }}' as date)
{%- endmacro %}

{# ISO day of the week of a date: 1 = Monday .. 7 = Sunday. #}
{% macro iso_day_of_week(day) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'salesboard')(day)) }}
{%- endmacro %}

{% macro default__iso_day_of_week(day) -%}
    (((dayofweek({{ day }}) + 5) % 7) + 1)
{%- endmacro %}

{% macro duckdb__iso_day_of_week(day) -%}
    isodow({{ day }})
{%- endmacro %}

{#
    dbt's `dateadd` on Spark (dbt-spark's spark__dateadd; used through dbt.dateadd, which
    dbt_project.yml's dispatch lets this project override for Spark only): dbt-spark goes
    through unix seconds with null assertions, ~40 lines of SQL per call, which made
    mart_forecast_daily's plan minutes long, and it drops sub-second precision. Spark's
    `timestampadd` does it in one call and, like DuckDB's `+ interval`, returns a timestamp
    for a date or a timestamp (months clamp to the month's last day on both).
#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}
