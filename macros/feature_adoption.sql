{#- Feature adoption per feature and period (the definition, in one place).

    activity: relation or CTE of person-days (person_column, activity_date_column), the
    persons active on each day. feature_uses: relation or CTE of feature uses
    (person_column, use_date_column, feature_column), any grain at or below person x
    feature x day. feature_catalog: relation or CTE with feature_name and launched_on.
    interval: 'week' (weeks start on Monday, dbt.date_trunc) or 'month' (calendar).

    One row per catalog feature x period, for the periods with at least one active person
    from the feature's launch period on (the last period is the last one with activity):
    - n_active_persons: persons active in the period;
    - n_adopters: active persons who used the feature in the period (adoption rate =
      n_adopters / n_active_persons);
    - n_new_adopters: persons whose first-ever use of the feature is in the period, and
      median_days_to_adopt: over them, the median of days from the person's first active
      day (first seen) to that first use;
    - n_cumulative_adopters: persons whose first use is in or before the period (uses
      before the launch period count here, though such a period has no row);
    - n_retained_adopters: adopters of the period who are adopters again in the next
      calendar period (null for the last period, whose next period has no data yet);
      feature_retention_rate = n_retained_adopters / n_adopters. -#}
{% macro feature_adoption(
    activity,
    feature_uses,
    feature_catalog,
    interval='week',
    person_column='person_id',
    activity_date_column='activity_date',
    use_date_column='usage_date',
    feature_column='feature_name'
) -%}
    {%- if interval not in ['week', 'month'] -%}
        {{ exceptions.raise_compiler_error(
            "feature_adoption: interval must be 'week' or 'month', got '" ~ interval ~ "'"
        ) }}
    {%- endif -%}
with

adoption_activity_periods as (
    select distinct
        {{ person_column }} as person_id,
        cast({{ dbt.date_trunc(interval, activity_date_column) }} as date) as period_start
    from {{ activity }}
),

adoption_first_seen as (
    select
        {{ person_column }} as person_id,
        min({{ activity_date_column }}) as first_seen_date
    from {{ activity }}
    group by {{ person_column }}
),

adoption_periods as (
    select
        period_start,
        count(*) as n_active_persons
    from adoption_activity_periods
    group by period_start
),

adoption_last_period as (
    select max(period_start) as period_start
    from adoption_periods
),

adoption_feature_periods as (
    select
        adoption_features.feature_name,
        adoption_periods.period_start,
        adoption_periods.n_active_persons
    from {{ feature_catalog }} as adoption_features
    inner join adoption_periods
        on adoption_periods.period_start
        >= cast({{ dbt.date_trunc(interval, 'adoption_features.launched_on') }} as date)
),

adoption_use_periods as (
    select distinct
        {{ person_column }} as person_id,
        {{ feature_column }} as feature_name,
        cast({{ dbt.date_trunc(interval, use_date_column) }} as date) as period_start
    from {{ feature_uses }}
),

adoption_adopter_periods as (
    select
        adoption_use_periods.feature_name,
        adoption_use_periods.person_id,
        adoption_use_periods.period_start,
        cast({{ dbt.dateadd(interval, 1, 'adoption_use_periods.period_start') }} as date)
            as next_period_start
    from adoption_use_periods
    inner join adoption_activity_periods
        on
            adoption_use_periods.person_id = adoption_activity_periods.person_id
            and adoption_use_periods.period_start = adoption_activity_periods.period_start
),

adoption_next_period_adopters as (
    select
        feature_name,
        person_id,
        period_start
    from adoption_adopter_periods
),

adoption_adopter_counts as (
    select
        adoption_adopter_periods.feature_name,
        adoption_adopter_periods.period_start,
        count(*) as n_adopters,
        count(adoption_next_period_adopters.person_id) as n_retained_adopters
    from adoption_adopter_periods
    left join adoption_next_period_adopters
        on
            adoption_adopter_periods.feature_name = adoption_next_period_adopters.feature_name
            and adoption_adopter_periods.person_id = adoption_next_period_adopters.person_id
            and adoption_adopter_periods.next_period_start
            = adoption_next_period_adopters.period_start
    group by
        adoption_adopter_periods.feature_name,
        adoption_adopter_periods.period_start
),

adoption_first_uses as (
    select
        {{ person_column }} as person_id,
        {{ feature_column }} as feature_name,
        min({{ use_date_column }}) as first_use_date
    from {{ feature_uses }}
    group by
        {{ person_column }},
        {{ feature_column }}
),

adoption_new_adopter_counts as (
    select
        adoption_first_uses.feature_name,
        cast({{ dbt.date_trunc(interval, 'adoption_first_uses.first_use_date') }} as date)
            as period_start,
        count(*) as n_new_adopters,
        {{ median(dbt.datediff(
            'adoption_first_seen.first_seen_date', 'adoption_first_uses.first_use_date', 'day'
        )) }} as median_days_to_adopt
    from adoption_first_uses
    left join adoption_first_seen
        on adoption_first_uses.person_id = adoption_first_seen.person_id
    group by
        adoption_first_uses.feature_name,
        cast({{ dbt.date_trunc(interval, 'adoption_first_uses.first_use_date') }} as date)
),

adoption_cumulative_counts as (
    select
        adoption_feature_periods.feature_name,
        adoption_feature_periods.period_start,
        cast(sum(adoption_new_adopter_counts.n_new_adopters) as {{ dbt.type_bigint() }})
            as n_cumulative_adopters
    from adoption_feature_periods
    inner join adoption_new_adopter_counts
        on
            adoption_feature_periods.feature_name = adoption_new_adopter_counts.feature_name
            and adoption_new_adopter_counts.period_start <= adoption_feature_periods.period_start
    group by
        adoption_feature_periods.feature_name,
        adoption_feature_periods.period_start
),

adoption_by_feature_period as (
    select
        adoption_feature_periods.period_start,
        adoption_feature_periods.feature_name,
        adoption_feature_periods.n_active_persons,
        coalesce(adoption_adopter_counts.n_adopters, 0) as n_adopters,
        coalesce(adoption_new_adopter_counts.n_new_adopters, 0) as n_new_adopters,
        coalesce(adoption_cumulative_counts.n_cumulative_adopters, 0) as n_cumulative_adopters,
        adoption_new_adopter_counts.median_days_to_adopt,
        case
            when adoption_feature_periods.period_start < adoption_last_period.period_start
                then coalesce(adoption_adopter_counts.n_retained_adopters, 0)
        end as n_retained_adopters
    from adoption_feature_periods
    cross join adoption_last_period
    left join adoption_adopter_counts
        on
            adoption_feature_periods.feature_name = adoption_adopter_counts.feature_name
            and adoption_feature_periods.period_start = adoption_adopter_counts.period_start
    left join adoption_new_adopter_counts
        on
            adoption_feature_periods.feature_name = adoption_new_adopter_counts.feature_name
            and adoption_feature_periods.period_start = adoption_new_adopter_counts.period_start
    left join adoption_cumulative_counts
        on
            adoption_feature_periods.feature_name = adoption_cumulative_counts.feature_name
            and adoption_feature_periods.period_start = adoption_cumulative_counts.period_start
)

select
    period_start,
    feature_name,
    n_active_persons,
    n_adopters,
    {{ safe_divide('n_adopters', 'n_active_persons') }} as adoption_rate,
    n_new_adopters,
    n_cumulative_adopters,
    median_days_to_adopt,
    n_retained_adopters,
    {{ safe_divide('n_retained_adopters', 'n_adopters') }} as feature_retention_rate
from adoption_by_feature_period
{%- endmacro %}
