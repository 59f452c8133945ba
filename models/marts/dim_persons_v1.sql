{#- Version 1 of dim_persons (deprecated, see latest_version in _marts__models.yml): the
    latest version's rows without the columns added since. -#}
with

persons as (
    select * from {{ ref('dim_persons', v=2) }}
),

final as (
    select
        person_id,
        user_id,
        is_identified,
        n_anonymous_ids,
        first_seen_at,
        last_seen_at,
        first_seen_date,
        first_session_id,
        first_touch_landing_page_path,
        first_touch_referrer_host,
        first_touch_utm_source,
        first_touch_utm_medium,
        first_touch_utm_campaign,
        first_touch_device_type,
        first_touch_country,
        n_sessions,
        n_engaged_sessions,
        n_events,
        n_page_views,
        n_conversions,
        revenue,
        first_conversion_at,
        engagement_score,
        engagement_sessions_component,
        engagement_active_days_component,
        engagement_engaged_session_rate_component,
        engagement_conversions_component,
        engagement_feature_breadth_component,
        engagement_recency_component
    from persons
)

select * from final
