{#- Every hour from the first_hour_at to the last_hour_at (timestamps truncated to the hour,
    inclusive) of the one-row relation or CTE `hour_range`: a select of hour_at. Up to
    100,000 hours (11 years); no rows when the range is null. -#}
{% macro hour_spine(hour_range) -%}
select
    {{ dbt.dateadd('hour', 'hour_numbers.hour_number', 'hour_range.first_hour_at') }} as hour_at
from (
    select cast(generated_number - 1 as {{ dbt.type_int() }}) as hour_number
    from ({{ dbt.generate_series(100000) }}) as series
) as hour_numbers
cross join {{ hour_range }} as hour_range
where
    hour_numbers.hour_number
    <= ({{ epoch_milliseconds('hour_range.last_hour_at') }}
        - {{ epoch_milliseconds('hour_range.first_hour_at') }}) / 3600000
{%- endmacro %}
