{#- The snapshot dates of the feature mart: the day after the last active day, and every
    prediction_snapshot_interval_days before it that still has a day of data before it (at
    most prediction_snapshot_count). A snapshot's features see only the days before it; its
    labels are the prediction_horizon_days from it on, observed when the data covers them.
    The roles (which snapshots train, evaluate and score) are set here, in one place. -#}
{%- set interval_days = var('prediction_snapshot_interval_days') -%}
{%- set horizon_days = var('prediction_horizon_days') -%}

with

data_range as (
    select
        min(activity_date) as first_active_date,
        max(activity_date) as last_active_date,
        cast({{ dbt.dateadd('day', 1, 'max(activity_date)') }} as date) as latest_snapshot_date
    from {{ ref('fct_person_days') }}
),

candidate_dates as (
    select
        dates.date_day as snapshot_date,
        cast(
            {{ dbt.datediff('dates.date_day', 'data_range.latest_snapshot_date', 'day') }}
            as {{ dbt.type_int() }}
        ) as days_before_latest,
        data_range.last_active_date
    from {{ ref('dim_dates') }} as dates
    cross join data_range
    where
        dates.date_day > data_range.first_active_date
        and dates.date_day <= data_range.latest_snapshot_date
),

snapshots as (
    select
        snapshot_date,
        days_before_latest,
        -- the horizon's last day is a day of data
        {{ dbt.dateadd('day', horizon_days - 1, 'snapshot_date') }}
        <= last_active_date as is_label_observed
    from candidate_dates
    where
        mod(days_before_latest, {{ interval_days }}) = 0
        and days_before_latest < {{ interval_days * var('prediction_snapshot_count') }}
),

evaluation as (
    select max(snapshot_date) as evaluation_date
    from snapshots
    where is_label_observed
),

final as (
    select
        snapshots.snapshot_date,
        snapshots.is_label_observed,
        case
            when snapshots.days_before_latest = 0 then 'scoring'
            when snapshots.snapshot_date = evaluation.evaluation_date then 'evaluation'
            -- labels observed before the evaluation snapshot: nothing trained on sees past it
            when
                {{ dbt.dateadd('day', horizon_days, 'snapshots.snapshot_date') }}
                <= evaluation.evaluation_date
                then 'training'
        end as snapshot_role
    from snapshots
    cross join evaluation
)

select * from final
