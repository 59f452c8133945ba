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

source_categories as (
    select
        source,
        source_category
    from {{ ref('channel_source_categories') }}
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

referrer_categories as (
    select
        referrers.*,
        source_categories.source_category as referrer_source_category
    from referrers
    left join source_categories
        on referrers.referrer_source = source_categories.source
),

-- GA4's session source / medium / campaign: UTM parameters first, then the referrer
-- (a search engine is 'organic', any other site 'referral'), else '(direct)' / '(none)'.
attributed as (
    select
        session_id,
        case
            when has_utm then coalesce(utm_source, '(not set)')
            when referrer_source is not null then referrer_source
            else '(direct)'
        end as session_source,
        case
            when has_utm then coalesce(utm_medium, '(not set)')
            when referrer_source_category = 'search' then 'organic'
            when referrer_source is not null then 'referral'
            else '(none)'
        end as session_medium,
        case
            when has_utm then coalesce(utm_campaign, '(not set)')
            when referrer_source_category = 'search' then '(organic)'
            when referrer_source is not null then '(referral)'
            else '(direct)'
        end as session_campaign
    from referrer_categories
),

categorized as (
    select
        attributed.*,
        source_categories.source_category
    from attributed
    left join source_categories
        on lower(attributed.session_source) = source_categories.source
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
