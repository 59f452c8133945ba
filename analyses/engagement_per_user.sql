-- Engagement metrics per person (the clickstream marts): sessions, conversions, average
-- session time, GA4 engagement rate. Worked example for analysts: reads only marts
-- (fct_sessions), one row per person (stitched id, so pre-login sessions count).
-- Rates are fractions 0-1 in floating point (safe_divide, never integer division).
with

sessions as (
    select
        person_id,
        session_id,
        duration_seconds,
        n_conversions,
        has_conversion,
        is_engaged
    from {{ ref('fct_sessions') }}
),

final as (
    select
        person_id,
        count(*) as n_sessions,
        cast(sum(n_conversions) as {{ dbt.type_bigint() }}) as n_conversions,
        count(case when has_conversion then 1 end) as n_converting_sessions,
        {{ safe_divide('count(case when has_conversion then 1 end)', 'count(*)') }}
            as session_conversion_rate,
        {{ safe_divide('count(case when is_engaged then 1 end)', 'count(*)') }}
            as engagement_rate,
        avg(cast(duration_seconds as {{ type_double() }})) as avg_session_seconds
    from sessions
    group by person_id
)

select * from final
order by n_sessions desc, person_id asc
