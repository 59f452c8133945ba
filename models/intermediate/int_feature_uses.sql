with

events as (
    select
        person_id,
        feature_name,
        occurred_at
    from {{ ref('int_events_sessionized') }}
    where event_name = 'feature_used'
),

feature_catalog as (
    select
        feature_name,
        launched_on
    from {{ ref('feature_catalog') }}
),

feature_use_days as (
    select
        events.person_id,
        events.feature_name,
        cast(events.occurred_at as date) as usage_date,
        feature_catalog.launched_on,
        count(*) as n_uses,
        min(events.occurred_at) as first_used_at
    from events
    inner join feature_catalog
        on events.feature_name = feature_catalog.feature_name
    group by
        events.person_id,
        events.feature_name,
        cast(events.occurred_at as date),
        feature_catalog.launched_on
),

final as (
    select
        {{ surrogate_key(['feature_use_days.person_id', 'feature_use_days.feature_name',
            'feature_use_days.usage_date']) }} as feature_use_day_id,
        feature_use_days.person_id,
        feature_use_days.feature_name,
        feature_use_days.usage_date,
        feature_use_days.n_uses,
        feature_use_days.first_used_at,
        feature_use_days.launched_on
    from feature_use_days
)

select * from final
