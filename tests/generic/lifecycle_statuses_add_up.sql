{#- Per period of the model (period: week or month), active = new + returning +
    resurrecting, with active counted again here from person_days (the relation the report
    reads, e.g. fct_person_days), and dormant = active in the previous period - returning.
    Returns the failing periods. -#}
{% test lifecycle_statuses_add_up(model, period, person_days) %}
with

lifecycle as (
    select
        {{ period }}_start_date,
        n_active_persons,
        lifecycle_status,
        n_persons
    from {{ model }}
),

active_recounted as (
    {{ active_persons_per_period(person_days, period) | indent(4) }}
),

periods as (
    select
        {{ period }}_start_date,
        max(n_active_persons) as n_active_persons,
        sum(case when lifecycle_status = 'new' then n_persons else 0 end) as n_new,
        sum(case when lifecycle_status = 'returning' then n_persons else 0 end) as n_returning,
        sum(case when lifecycle_status = 'resurrecting' then n_persons else 0 end)
            as n_resurrecting,
        sum(case when lifecycle_status = 'dormant' then n_persons else 0 end) as n_dormant
    from lifecycle
    group by {{ period }}_start_date
),

periods_with_previous as (
    select
        {{ period }}_start_date,
        n_active_persons,
        n_new,
        n_returning,
        n_resurrecting,
        n_dormant,
        cast({{ dbt.dateadd(period, -1, period ~ '_start_date') }} as date)
            as previous_{{ period }}_start_date
    from periods
),

final as (
    select
        periods_with_previous.{{ period }}_start_date,
        periods_with_previous.n_active_persons,
        periods_with_previous.n_new,
        periods_with_previous.n_returning,
        periods_with_previous.n_resurrecting,
        periods_with_previous.n_dormant,
        coalesce(previous_periods.n_active_persons, 0) as n_previous_active_persons,
        coalesce(active_recounted.n_active_persons, 0) as n_active_persons_recounted
    from periods_with_previous
    left join periods as previous_periods
        on periods_with_previous.previous_{{ period }}_start_date = previous_periods.{{ period }}_start_date
    left join active_recounted
        on periods_with_previous.{{ period }}_start_date = active_recounted.{{ period }}_start_date
)

select * from final
where
    n_active_persons != n_new + n_returning + n_resurrecting
    or n_active_persons != n_active_persons_recounted
    or n_dormant != n_previous_active_persons - n_returning
{% endtest %}
