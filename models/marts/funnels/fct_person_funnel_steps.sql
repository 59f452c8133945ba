with

step_events as (
    select
        funnel_name,
        step_number,
        step_order,
        person_id,
        occurred_at
    from {{ ref('int_funnel_step_events') }}
),

funnel_steps as (
    select
        funnel_name,
        step_number,
        step_name,
        event_name,
        step_order
    from {{ ref('funnel_steps') }}
),

steps_reached as (
    {{ funnel_steps_reached('step_events') }}
),

steps_with_previous as (
    select
        steps_reached.funnel_name,
        steps_reached.person_id,
        steps_reached.step_number,
        steps_reached.reached_at,
        lag(steps_reached.reached_at) over (
            partition by steps_reached.funnel_name, steps_reached.person_id
            order by steps_reached.step_number
        ) as previous_step_reached_at,
        min(steps_reached.reached_at) over (
            partition by steps_reached.funnel_name, steps_reached.person_id
        ) as entered_at
    from steps_reached
),

final as (
    select
        {{ surrogate_key([
            'steps_with_previous.funnel_name',
            'steps_with_previous.person_id',
            'steps_with_previous.step_number',
        ]) }} as person_funnel_step_id,
        steps_with_previous.funnel_name,
        steps_with_previous.person_id,
        steps_with_previous.step_number,
        funnel_steps.step_name,
        funnel_steps.event_name,
        funnel_steps.step_order,
        steps_with_previous.entered_at,
        steps_with_previous.reached_at,
        {{ seconds_between('steps_with_previous.entered_at', 'steps_with_previous.reached_at') }}
            as seconds_from_entry,
        {{ seconds_between(
            'steps_with_previous.previous_step_reached_at', 'steps_with_previous.reached_at'
        ) }} as seconds_from_previous_step
    from steps_with_previous
    inner join funnel_steps
        on
            steps_with_previous.funnel_name = funnel_steps.funnel_name
            and steps_with_previous.step_number = funnel_steps.step_number
)

select * from final
