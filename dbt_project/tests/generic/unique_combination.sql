{# A composite key: no two rows share the same values in `columns` (dbt_utils' test, here
   because the dbt hub is unreachable). #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as copies
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
