-- Every feature_used event names a feature of the feature_catalog seed. Events that do not
-- (null or unknown feature_name) are left out of int_feature_uses and of feature adoption;
-- this test returns one row per such event, so the build warns with their count.
{{ config(severity='warn') }}

with

feature_used_events as (
    select
        event_id,
        person_id,
        feature_name,
        occurred_at
    from {{ ref('int_events_sessionized') }}
    where event_name = 'feature_used'
),

feature_catalog as (
    select feature_name
    from {{ ref('feature_catalog') }}
),

final as (
    select
        feature_used_events.event_id,
        feature_used_events.person_id,
        feature_used_events.feature_name,
        feature_used_events.occurred_at
    from feature_used_events
    left join feature_catalog
        on feature_used_events.feature_name = feature_catalog.feature_name
    where feature_catalog.feature_name is null
)

select * from final
