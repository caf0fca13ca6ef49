{#-
    Unknown is null: rows where `column_name` holds a value although `condition` is not
    true for the row (e.g. a rate of a month whose history is incomplete).
-#}
{% test null_unless(model, column_name, condition) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and not ({{ condition }})
{% endtest %}
