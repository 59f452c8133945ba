-- Correlation matrix of the hourly channel metrics (GA4's traffic-acquisition columns).
-- Worked example for analysts: one row per pair of metrics with Pearson's r over the
-- hour x channel rows that had at least one session (the zero rows that fill quiet hours
-- would otherwise correlate every count with every other). Works on our sessions or on a
-- loaded GA4 export alike (rpt_channel_traffic_hourly reads either).
-- Read it as a matrix: pivot metric_b into columns in your BI tool; the diagonal is 1.
{%- set metrics = [
    'users',
    'sessions',
    'engaged_sessions',
    'average_engagement_time_per_session',
    'engaged_sessions_per_user',
    'events_per_session',
    'engagement_rate',
    'event_count',
] %}

with

hourly as (
    select
        cast(users as {{ type_double() }}) as users,
        cast(sessions as {{ type_double() }}) as sessions,
        cast(engaged_sessions as {{ type_double() }}) as engaged_sessions,
        cast(average_engagement_time_per_session as {{ type_double() }})
            as average_engagement_time_per_session,
        cast(engaged_sessions_per_user as {{ type_double() }}) as engaged_sessions_per_user,
        cast(events_per_session as {{ type_double() }}) as events_per_session,
        cast(engagement_rate as {{ type_double() }}) as engagement_rate,
        cast(event_count as {{ type_double() }}) as event_count
    from {{ ref('rpt_channel_traffic_hourly') }}
    where sessions > 0
),

pairs as (
    {%- for metric_a in metrics %}
        {%- set outer_loop = loop %}
        {%- for metric_b in metrics %}
            select
                '{{ metric_a }}' as metric_a,
                '{{ metric_b }}' as metric_b,
                corr({{ metric_a }}, {{ metric_b }}) as correlation_coefficient,
                count(*) as n_hours
            from hourly
            {%- if not (outer_loop.last and loop.last) %}
                union all
            {%- endif %}
        {%- endfor %}
    {%- endfor %}
),

final as (
    select
        metric_a,
        metric_b,
        correlation_coefficient,
        n_hours
    from pairs
)

select * from final
