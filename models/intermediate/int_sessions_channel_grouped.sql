with

first_events as (
    select
        session_id,
        page_host,
        referrer_host,
        utm_source,
        utm_medium,
        utm_campaign
    from {{ ref('int_events_sessionized') }}
    where event_index = 1
),

-- GA4's source list, compared ignoring case.
ga4_source_categories as (
    select
        lower(source) as listed_source,
        source_category
    from {{ ref('ga4_source_categories') }}
),

search_engine_referrers as (
    select
        lower(referrer_host) as referrer_host,
        source as search_engine
    from {{ ref('search_engine_referrers') }}
),

-- GA4 ignores referrals from the site itself and drops a leading 'www.' from referrers.
referrers as (
    select
        session_id,
        utm_source,
        utm_medium,
        utm_campaign,
        case
            when referrer_host = page_host then null
            when lower(referrer_host) like 'www.%' then lower(substring(referrer_host, 5))
            else lower(referrer_host)
        end as referrer_source,
        (
            utm_source is not null
            or utm_medium is not null
            or utm_campaign is not null
        ) as has_utm
    from first_events
),

referrer_search_engines as (
    select
        referrers.*,
        search_engine_referrers.search_engine
    from referrers
    left join search_engine_referrers
        on referrers.referrer_source = search_engine_referrers.referrer_host
),

-- GA4's session source / medium / campaign: UTM parameters first, then the referrer (a
-- search engine under its name with medium 'organic', any other site under its host with
-- 'referral'), else '(direct)' / '(none)'.
attributed as (
    select
        session_id,
        case
            when has_utm then coalesce(utm_source, '(not set)')
            when search_engine is not null then search_engine
            when referrer_source is not null then referrer_source
            else '(direct)'
        end as session_source,
        case
            when has_utm then coalesce(utm_medium, '(not set)')
            when search_engine is not null then 'organic'
            when referrer_source is not null then 'referral'
            else '(none)'
        end as session_medium,
        case
            when has_utm then coalesce(utm_campaign, '(not set)')
            when search_engine is not null then '(organic)'
            when referrer_source is not null then '(referral)'
            else '(direct)'
        end as session_campaign
    from referrer_search_engines
),

categorized as (
    select
        attributed.*,
        ga4_source_categories.source_category
    from attributed
    left join ga4_source_categories
        on lower(attributed.session_source) = ga4_source_categories.listed_source
),

final as (
    select
        session_id,
        session_source,
        session_medium,
        session_campaign,
        source_category,
        {{ default_channel_group(
            'session_source', 'session_medium', 'session_campaign', 'source_category'
        ) }} as channel_group
    from categorized
)

select * from final
