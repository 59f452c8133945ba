{#- Audience memberships: the times a person meets an audience's condition
    (int_audience_intervals), overlapping or touching ones merged, and a return within the
    audience's cooldown_days of leaving kept in the same membership (so a destination is not
    sent the same person again). Still a member at the data clock: exited_at is null. -#}
with

intervals as (
    select * from {{ ref('int_audience_intervals') }}
),

ordered as (
    select
        audience_name,
        person_id,
        starts_at,
        ends_at,
        cooldown_days,
        as_of,
        max(ends_at) over (
            partition by audience_name, person_id
            order by starts_at, ends_at
            rows between unbounded preceding and 1 preceding
        ) as previous_ends_at
    from intervals
),

numbered as (
    select
        audience_name,
        person_id,
        starts_at,
        ends_at,
        as_of,
        sum(case
            when
                previous_ends_at is null
                or starts_at > {{ timestamp_add_hours('cooldown_days * 24', 'previous_ends_at') }}
                then 1
            else 0
        end) over (
            partition by audience_name, person_id
            order by starts_at, ends_at
            rows between unbounded preceding and current row
        ) as membership_number
    from ordered
),

memberships as (
    select
        audience_name,
        person_id,
        membership_number,
        min(starts_at) as entered_at,
        max(ends_at) as ends_at,
        max(as_of) as as_of
    from numbered
    group by
        audience_name,
        person_id,
        membership_number
),

final as (
    select
        {{ surrogate_key(['audience_name', 'person_id', 'entered_at']) }} as membership_id,
        audience_name,
        person_id,
        entered_at,
        case when ends_at <= as_of then ends_at end as exited_at,
        ends_at > as_of as is_current
    from memberships
)

select * from final
