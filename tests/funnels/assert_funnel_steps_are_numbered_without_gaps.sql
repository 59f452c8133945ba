-- Every funnel of the funnel_steps seed numbers its steps 1..n without gaps or repeats and
-- has one step_order on every row (the funnel rule reads a funnel's order from any step).
with

funnel_steps as (
    select
        funnel_name,
        step_number,
        step_order
    from {{ ref('funnel_steps') }}
),

funnels as (
    select
        funnel_name,
        count(*) as n_steps,
        count(distinct step_number) as n_distinct_steps,
        min(step_number) as first_step_number,
        max(step_number) as last_step_number,
        count(distinct step_order) as n_step_orders
    from funnel_steps
    group by funnel_name
),

final as (
    select *
    from funnels
    where
        first_step_number != 1
        or last_step_number != n_steps
        or n_distinct_steps != n_steps
        or n_step_orders != 1
)

select * from final
