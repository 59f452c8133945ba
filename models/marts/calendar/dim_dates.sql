-- The calendar of the semantic layer (MetricFlow's time spine): one row per day from
-- time_spine_start_date (inclusive) to time_spine_end_date (exclusive).
with date_spine as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('time_spine_start_date') ~ "' as date)",
        "cast('" ~ var('time_spine_end_date') ~ "' as date)",
    ) }}

),

final as (

    select cast(date_spine.date_day as date) as date_day
    from date_spine
    where date_spine.date_day < cast('{{ var("time_spine_end_date") }}' as date)

)

select * from final
