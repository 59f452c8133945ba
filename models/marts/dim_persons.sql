with

sessions as (
    select * from {{ ref('fct_sessions') }}
),

events as (
    select
        person_id,
        user_id
    from {{ ref('int_events_sessionized') }}
),

engagement_features as (
    select * from {{ ref('dim_person_engagement_features') }}
),

-- the one place the score is computed (macro engagement_score, weights as vars)
engagement_scores as (
    {{ engagement_score(
        'engagement_features',
        normalization=var('engagement_score_normalization')
    ) | indent(4) }}
),

identities as (
    select
        person_id,
        count(*) as n_anonymous_ids
    from {{ ref('int_anonymous_ids_stitched') }}
    group by person_id
),

person_accounts as (
    select
        person_id,
        max(user_id) as user_id
    from events
    group by person_id
),

person_totals as (
    select
        person_id,
        min(started_at) as first_seen_at,
        max(ended_at) as last_seen_at,
        count(*) as n_sessions,
        count(case when is_engaged then 1 end) as n_engaged_sessions,
        cast(sum(n_events) as {{ dbt.type_bigint() }}) as n_events,
        cast(sum(n_page_views) as {{ dbt.type_bigint() }}) as n_page_views,
        cast(sum(n_conversions) as {{ dbt.type_bigint() }}) as n_conversions,
        cast(sum(revenue) as decimal(38, 6)) as revenue,
        min(case when has_conversion then started_at end) as first_conversion_at
    from sessions
    group by person_id
),

first_sessions as (
    select
        person_id,
        session_id,
        landing_page_path,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign,
        session_source,
        session_medium,
        channel_group,
        device_type,
        country
    from sessions
    where session_index = 1
),

final as (
    select
        person_totals.person_id,
        person_accounts.user_id,
        person_accounts.user_id is not null as is_identified,
        coalesce(identities.n_anonymous_ids, 0) as n_anonymous_ids,
        person_totals.first_seen_at,
        person_totals.last_seen_at,
        cast(person_totals.first_seen_at as date) as first_seen_date,
        first_sessions.session_id as first_session_id,
        first_sessions.landing_page_path as first_touch_landing_page_path,
        first_sessions.referrer_host as first_touch_referrer_host,
        first_sessions.utm_source as first_touch_utm_source,
        first_sessions.utm_medium as first_touch_utm_medium,
        first_sessions.utm_campaign as first_touch_utm_campaign,
        first_sessions.session_source as first_touch_session_source,
        first_sessions.session_medium as first_touch_session_medium,
        first_sessions.channel_group as first_touch_channel_group,
        first_sessions.device_type as first_touch_device_type,
        first_sessions.country as first_touch_country,
        person_totals.n_sessions,
        person_totals.n_engaged_sessions,
        person_totals.n_events,
        person_totals.n_page_views,
        person_totals.n_conversions,
        person_totals.revenue,
        person_totals.first_conversion_at,
        engagement_scores.engagement_score,
        engagement_scores.sessions_component as engagement_sessions_component,
        engagement_scores.active_days_component as engagement_active_days_component,
        engagement_scores.engaged_session_rate_component
            as engagement_engaged_session_rate_component,
        engagement_scores.conversions_component as engagement_conversions_component,
        engagement_scores.feature_breadth_component as engagement_feature_breadth_component,
        engagement_scores.recency_component as engagement_recency_component
    from person_totals
    inner join first_sessions
        on person_totals.person_id = first_sessions.person_id
    left join person_accounts
        on person_totals.person_id = person_accounts.person_id
    left join identities
        on person_totals.person_id = identities.person_id
    left join engagement_scores
        on person_totals.person_id = engagement_scores.person_id
)

select * from final
