{#- The funnel rule (the definition, in one place; dispatched so a project can override it).

    step_events: relation or CTE of one row per event x funnel step it matches, with
    funnel_name, step_number, step_order ('ordered' or 'any_order', the same for every step
    of a funnel), person_id and occurred_at (epoch milliseconds are computed here).

    Returns one row per person x funnel x step reached: funnel_name, person_id,
    step_number, reached_at, reached_at_ms.
    - Entry: the person's FIRST step-1 event (entered_at); it is step 1's reached_at. The
      conversion window is [entered_at, entered_at + funnel_conversion_window_days days],
      both ends inclusive (compared in whole milliseconds); later step-1 events do not reset
      it.
    - ordered: step k is reached at the first step-k event strictly after the time step k-1
      was reached, within the window; other events may happen in between.
    - any_order (Mixpanel): steps 2..n count at their first event strictly after entered_at
      within the window, in any order; step k is reached when steps 1..k are all done, at
      the latest of their times (so reached_at never decreases along the funnel).
    Funnels longer than funnel_max_steps steps are cut there (the loop is unrolled at
    compile time; a test on the funnel_steps seed fails first). -#}
{% macro funnel_steps_reached(step_events) -%}
    {{ return(adapter.dispatch('funnel_steps_reached', 'behavioral_warehouse')(step_events)) }}
{%- endmacro %}

{% macro default__funnel_steps_reached(step_events) -%}
    {%- set window_ms = (var('funnel_conversion_window_days') | float * 86400000) | int -%}
    {%- set max_steps = var('funnel_max_steps') | int -%}
with

funnel_events as (
    select
        funnel_name,
        step_number,
        step_order,
        person_id,
        occurred_at,
        {{ epoch_milliseconds('occurred_at') }} as occurred_at_ms
    from {{ step_events }}
),

funnel_reached_step_1 as (
    select
        funnel_name,
        person_id,
        min(step_order) as step_order,
        min(occurred_at) as entered_at,
        min(occurred_at_ms) as entered_at_ms
    from funnel_events
    where step_number = 1
    group by
        funnel_name,
        person_id
),

{%- for step in range(2, max_steps + 1) %}

funnel_reached_step_{{ step }} as (
    select
        funnel_previous.funnel_name,
        funnel_previous.person_id,
        min(funnel_previous.step_order) as step_order,
        min(funnel_previous.entered_at) as entered_at,
        min(funnel_previous.entered_at_ms) as entered_at_ms,
        case
            when min(funnel_previous.step_order) = 'ordered' then min(funnel_events.occurred_at)
            else greatest(min(funnel_previous.reached_at), min(funnel_events.occurred_at))
        end as reached_at,
        case
            when min(funnel_previous.step_order) = 'ordered'
                then min(funnel_events.occurred_at_ms)
            else greatest(min(funnel_previous.reached_at_ms), min(funnel_events.occurred_at_ms))
        end as reached_at_ms
    from {% if step == 2 -%}
        (
            select
                *,
                entered_at as reached_at,
                entered_at_ms as reached_at_ms
            from funnel_reached_step_1
        )
    {%- else -%}
        funnel_reached_step_{{ step - 1 }}
    {%- endif %} as funnel_previous
    inner join funnel_events
        on
            funnel_previous.funnel_name = funnel_events.funnel_name
            and funnel_previous.person_id = funnel_events.person_id
            and funnel_events.step_number = {{ step }}
            and funnel_events.occurred_at_ms <= funnel_previous.entered_at_ms + {{ window_ms }}
            and funnel_events.occurred_at_ms > case
                when funnel_previous.step_order = 'ordered' then funnel_previous.reached_at_ms
                else funnel_previous.entered_at_ms
            end
    group by
        funnel_previous.funnel_name,
        funnel_previous.person_id
),
{%- endfor %}

funnel_reached_steps as (
    select
        funnel_name,
        person_id,
        1 as step_number,
        entered_at as reached_at,
        entered_at_ms as reached_at_ms
    from funnel_reached_step_1
    {%- for step in range(2, max_steps + 1) %}
    union all
    select
        funnel_name,
        person_id,
        {{ step }} as step_number,
        reached_at,
        reached_at_ms
    from funnel_reached_step_{{ step }}
    {%- endfor %}
)

select
    funnel_name,
    person_id,
    step_number,
    reached_at,
    reached_at_ms
from funnel_reached_steps
{%- endmacro %}
