with

person_funnels as (
    select
        funnel_name,
        person_id
    from {{ ref('fct_person_funnels') }}
),

person_funnel_steps as (
    select
        funnel_name,
        person_id,
        step_number,
        seconds_from_previous_step
    from {{ ref('fct_person_funnel_steps') }}
),

funnel_steps as (
    select
        funnel_name,
        step_number,
        step_name,
        step_order
    from {{ ref('funnel_steps') }}
),

final as (
    {{ funnel_step_report('person_funnels', 'person_funnel_steps', 'funnel_steps') }}
)

select * from final
