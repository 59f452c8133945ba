{#- Every value is an event name in its normalized form (macro normalize_event_name), so
    staging, which compares normalized names, can match it. -#}
{% test is_normalized_event_name(model, column_name) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} <> {{ normalize_event_name(column_name) }}
{% endtest %}
