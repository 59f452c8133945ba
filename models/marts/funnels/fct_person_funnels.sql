with

person_funnel_steps as (
    select
        funnel_name,
        person_id,
        step_number,
        step_name,
        step_order,
        entered_at,
        reached_at
    from {{ ref('fct_person_funnel_steps') }}
),

step_events as (
    select
        funnel_name,
        step_number,
        event_id,
        person_id,
        session_id,
        occurred_at
    from {{ ref('int_funnel_step_events') }}
),

funnel_steps as (
    select
        funnel_name,
        step_number
    from {{ ref('funnel_steps') }}
),

funnel_lengths as (
    select
        funnel_name,
        max(step_number) as n_funnel_steps
    from funnel_steps
    group by funnel_name
),

entry_events as (
    select
        funnel_name,
        person_id,
        session_id,
        row_number() over (
            partition by funnel_name, person_id
            order by occurred_at, event_id
        ) as entry_rank
    from step_events
    where step_number = 1
),

furthest_steps as (
    select
        funnel_name,
        person_id,
        min(step_order) as step_order,
        min(entered_at) as entered_at,
        max(step_number) as furthest_step_number
    from person_funnel_steps
    group by
        funnel_name,
        person_id
),

final as (
    select
        {{ surrogate_key(['furthest_steps.funnel_name', 'furthest_steps.person_id']) }}
            as person_funnel_id,
        furthest_steps.funnel_name,
        furthest_steps.person_id,
        furthest_steps.step_order,
        funnel_lengths.n_funnel_steps,
        furthest_steps.entered_at,
        entry_events.session_id as entry_session_id,
        furthest_steps.furthest_step_number,
        person_funnel_steps.step_name as furthest_step_name,
        person_funnel_steps.reached_at as furthest_step_reached_at,
        furthest_steps.furthest_step_number = funnel_lengths.n_funnel_steps as is_converted,
        case
            when furthest_steps.furthest_step_number = funnel_lengths.n_funnel_steps
                then person_funnel_steps.reached_at
        end as converted_at,
        case
            when furthest_steps.furthest_step_number = funnel_lengths.n_funnel_steps
                then {{ seconds_between(
                    'furthest_steps.entered_at', 'person_funnel_steps.reached_at'
                ) }}
        end as seconds_to_convert
    from furthest_steps
    inner join funnel_lengths
        on furthest_steps.funnel_name = funnel_lengths.funnel_name
    inner join person_funnel_steps
        on
            furthest_steps.funnel_name = person_funnel_steps.funnel_name
            and furthest_steps.person_id = person_funnel_steps.person_id
            and furthest_steps.furthest_step_number = person_funnel_steps.step_number
    inner join entry_events
        on
            furthest_steps.funnel_name = entry_events.funnel_name
            and furthest_steps.person_id = entry_events.person_id
            and entry_events.entry_rank = 1
)

select * from final
