{#- Funnel report per step (Mixpanel/Amplitude/PostHog funnel chart), optionally broken down
    by dimensions of the person's funnel entry. The body of rpt_funnel_steps and
    rpt_funnel_steps_by_channel_device, whose YAML documents the columns.

    person_funnels: one row per person x funnel entered (funnel_name, person_id and the
    dimension columns, which must not be null: coalesce them first, they are join keys).
    person_funnel_steps: one row per person x funnel x step reached (funnel_name, person_id,
    step_number, seconds_from_previous_step). funnel_steps: the funnel_steps seed.
    Without dimensions every step of every funnel has a row (zeros when nobody reached it);
    with dimensions, every step of the funnels each dimension group entered. -#}
{% macro funnel_step_report(person_funnels, person_funnel_steps, funnel_steps, dimensions=[]) -%}
    {%- set dimension_list -%}
        {%- for dimension in dimensions %}
        funnel_report_groups.{{ dimension }},{% endfor -%}
    {%- endset -%}
with

funnel_report_groups as (
    select distinct
        {%- for dimension in dimensions %}
        {{ dimension }},
        {%- endfor %}
        funnel_name
    from {{ person_funnels if dimensions else funnel_steps }}
),

funnel_report_grid as (
    select
        {{- dimension_list }}
        funnel_report_steps.funnel_name,
        funnel_report_steps.step_number,
        funnel_report_steps.step_name,
        funnel_report_steps.step_order
    from funnel_report_groups
    inner join {{ funnel_steps }} as funnel_report_steps
        on funnel_report_groups.funnel_name = funnel_report_steps.funnel_name
),

funnel_report_counts as (
    select
        {%- for dimension in dimensions %}
        funnel_report_persons.{{ dimension }},
        {%- endfor %}
        funnel_report_persons.funnel_name,
        funnel_report_reached.step_number,
        count(*) as n_persons_entered,
        {{ median('funnel_report_reached.seconds_from_previous_step') }}
            as median_seconds_from_previous_step
    from {{ person_funnel_steps }} as funnel_report_reached
    inner join {{ person_funnels }} as funnel_report_persons
        on
            funnel_report_reached.funnel_name = funnel_report_persons.funnel_name
            and funnel_report_reached.person_id = funnel_report_persons.person_id
    group by
        {%- for dimension in dimensions %}
        funnel_report_persons.{{ dimension }},
        {%- endfor %}
        funnel_report_persons.funnel_name,
        funnel_report_reached.step_number
),

funnel_report_filled as (
    select
        {%- for dimension in dimensions %}
        funnel_report_grid.{{ dimension }},
        {%- endfor %}
        funnel_report_grid.funnel_name,
        funnel_report_grid.step_number,
        funnel_report_grid.step_name,
        funnel_report_grid.step_order,
        coalesce(funnel_report_counts.n_persons_entered, 0) as n_persons_entered,
        funnel_report_counts.median_seconds_from_previous_step
    from funnel_report_grid
    left join funnel_report_counts
        on
            {%- for dimension in dimensions %}
            funnel_report_grid.{{ dimension }} = funnel_report_counts.{{ dimension }}
            and
            {%- endfor %}
            funnel_report_grid.funnel_name = funnel_report_counts.funnel_name
            and funnel_report_grid.step_number = funnel_report_counts.step_number
),

funnel_report_with_previous as (
    select
        *,
        coalesce(
            lag(n_persons_entered) over (
                partition by {% for dimension in dimensions %}{{ dimension }}, {% endfor -%}
                funnel_name
                order by step_number
            ),
            n_persons_entered
        ) as n_persons_previous_step,
        max(case when step_number = 1 then n_persons_entered end) over (
            partition by {% for dimension in dimensions %}{{ dimension }}, {% endfor -%}
            funnel_name
        ) as n_persons_first_step
    from funnel_report_filled
)

select
    {%- for dimension in dimensions %}
    {{ dimension }},
    {%- endfor %}
    funnel_name,
    step_number,
    step_name,
    step_order,
    n_persons_entered,
    {{ safe_divide('n_persons_entered', 'n_persons_previous_step') }}
        as conversion_rate_from_previous,
    {{ safe_divide('n_persons_entered', 'n_persons_first_step') }} as conversion_rate_from_first,
    n_persons_previous_step - n_persons_entered as n_persons_dropped_off,
    {{ safe_divide('n_persons_previous_step - n_persons_entered', 'n_persons_previous_step') }}
        as drop_off_rate,
    median_seconds_from_previous_step
from funnel_report_with_previous
{%- endmacro %}
