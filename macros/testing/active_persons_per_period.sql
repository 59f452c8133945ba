{#- An independent count of active persons per period (period: week or month) straight
    from `relation` (person_id, activity_date; e.g. fct_person_days), for the tests that
    check the activity reports add up: a select of <period>_start_date and n_active_persons. -#}
{% macro active_persons_per_period(relation, period) -%}
with

person_days as (
    select
        person_id,
        cast({{ dbt.date_trunc(period, 'activity_date') }} as date) as {{ period }}_start_date
    from {{ relation }}
)

select
    {{ period }}_start_date,
    count(distinct person_id) as n_active_persons
from person_days
group by {{ period }}_start_date
{%- endmacro %}
