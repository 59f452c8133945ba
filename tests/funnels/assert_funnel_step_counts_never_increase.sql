-- Along a funnel, fewer or as many persons reach each step as the step before, overall and
-- in every channel group x device group (a person who reached step k reached steps 1..k-1), and in
-- fct_person_funnel_steps the reached steps of a person are 1..furthest without gaps and
-- reached_at never decreases. Returns the offending rows.
with

funnel_steps_overall as (
    select
        'overall' as breakdown,
        funnel_name,
        step_number,
        n_persons_entered,
        lag(n_persons_entered) over (
            partition by funnel_name
            order by step_number
        ) as n_persons_previous_step
    from {{ ref('rpt_funnel_steps') }}
),

funnel_steps_by_group as (
    select
        channel_group || ' / ' || device_type as breakdown,
        funnel_name,
        step_number,
        n_persons_entered,
        lag(n_persons_entered) over (
            partition by channel_group, device_type, funnel_name
            order by step_number
        ) as n_persons_previous_step
    from {{ ref('rpt_funnel_steps_by_channel_device') }}
),

person_steps as (
    select
        funnel_name,
        person_id,
        step_number,
        reached_at,
        lag(step_number) over (
            partition by funnel_name, person_id
            order by step_number
        ) as previous_step_number,
        lag(reached_at) over (
            partition by funnel_name, person_id
            order by step_number
        ) as previous_reached_at
    from {{ ref('fct_person_funnel_steps') }}
),

report_failures as (
    select
        breakdown,
        funnel_name,
        step_number
    from funnel_steps_overall
    where n_persons_entered > n_persons_previous_step
    union all
    select
        breakdown,
        funnel_name,
        step_number
    from funnel_steps_by_group
    where n_persons_entered > n_persons_previous_step
),

person_failures as (
    select
        person_id as breakdown,
        funnel_name,
        step_number
    from person_steps
    where
        (previous_step_number is null and step_number != 1)
        or previous_step_number != step_number - 1
        or reached_at < previous_reached_at
),

final as (
    select * from report_failures
    union all
    select * from person_failures
)

select * from final
