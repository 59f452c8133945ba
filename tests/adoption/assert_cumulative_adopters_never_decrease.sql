-- n_cumulative_adopters never decreases from one period of a feature to the next, in the weekly
-- and the monthly feature adoption reports; returns the periods where it does.
with

weekly_adoption as (
    select
        'week' as period_type,
        feature_name,
        period_start,
        n_cumulative_adopters
    from {{ ref('rpt_feature_adoption_weekly') }}
),

monthly_adoption as (
    select
        'month' as period_type,
        feature_name,
        period_start,
        n_cumulative_adopters
    from {{ ref('rpt_feature_adoption_monthly') }}
),

adoption as (
    select * from weekly_adoption
    union all
    select * from monthly_adoption
),

adoption_with_previous as (
    select
        period_type,
        feature_name,
        period_start,
        n_cumulative_adopters,
        lag(n_cumulative_adopters) over (
            partition by period_type, feature_name order by period_start
        ) as previous_cumulative_adopters
    from adoption
),

final as (
    select
        period_type,
        feature_name,
        period_start,
        n_cumulative_adopters,
        previous_cumulative_adopters
    from adoption_with_previous
    where n_cumulative_adopters < previous_cumulative_adopters
)

select * from final
