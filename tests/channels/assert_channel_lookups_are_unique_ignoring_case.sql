-- The two lists int_sessions_channel_grouped looks sources up in are each unique ignoring
-- case: the model joins them on lower-cased values, so two spellings of one source (or
-- referrer host) would duplicate sessions. Returns each value listed more than once.

with

ga4_sources as (
    select
        'ga4_source_categories' as seed_name,
        lower(source) as lookup_value
    from {{ ref('ga4_source_categories') }}
),

engine_hosts as (
    select
        'search_engine_referrers' as seed_name,
        lower(referrer_host) as lookup_value
    from {{ ref('search_engine_referrers') }}
),

lookups as (
    select * from ga4_sources
    union all
    select * from engine_hosts
),

final as (
    select
        seed_name,
        lookup_value,
        count(*) as n_rows
    from lookups
    group by seed_name, lookup_value
    having count(*) > 1
)

select * from final
