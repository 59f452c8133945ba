{#- Per period of the model (period: week or month), the persons of all the active-day
    buckets add up to the period's active persons, counted again here from person_days (the
    relation the report reads, e.g. fct_person_days), and the bucket shares add up to 1.
    Returns the failing periods. -#}
{% test stickiness_buckets_add_up(model, period, person_days) %}
with

stickiness as (
    select
        {{ period }}_start_date,
        n_persons,
        n_active_persons,
        active_persons_rate
    from {{ model }}
),

active_recounted as (
    {{ active_persons_per_period(person_days, period) | indent(4) }}
),

periods as (
    select
        {{ period }}_start_date,
        sum(n_persons) as n_persons,
        max(n_active_persons) as n_active_persons,
        sum(active_persons_rate) as total_rate
    from stickiness
    group by {{ period }}_start_date
),

final as (
    select
        periods.{{ period }}_start_date,
        periods.n_persons,
        periods.n_active_persons,
        periods.total_rate,
        coalesce(active_recounted.n_active_persons, 0) as n_active_persons_recounted
    from periods
    left join active_recounted
        on periods.{{ period }}_start_date = active_recounted.{{ period }}_start_date
)

select * from final
where
    n_persons != n_active_persons_recounted
    or n_active_persons != n_persons
    or (n_persons > 0 and abs(total_rate - 1) > 1e-9)
{% endtest %}
