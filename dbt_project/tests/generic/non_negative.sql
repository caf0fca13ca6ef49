{#
    Amounts, durations and counts are never negative; a negative one means a sign flip or
    a subtraction gone wrong upstream (e.g. a refund larger than its payment).
#}
{% test non_negative(model, column_name) %}
select {{ column_name }} as failing_value
from {{ model }}
where {{ column_name }} < 0
{% endtest %}
