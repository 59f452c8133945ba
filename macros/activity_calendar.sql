{#- The calendar of an activity report: every date of `calendar_relation` (column date_day,
    e.g. dim_dates) from the first to the last activity_date of `relation`, days without
    activity included. A select of activity_date; no rows when `relation` is empty. -#}
{% macro activity_calendar(relation, calendar_relation) -%}
select calendar_dates.date_day as activity_date
from {{ calendar_relation }} as calendar_dates
where
    calendar_dates.date_day >= (
        select min(activity_days.activity_date) from {{ relation }} as activity_days
    )
    and calendar_dates.date_day <= (
        select max(activity_days.activity_date) from {{ relation }} as activity_days
    )
{%- endmacro %}
