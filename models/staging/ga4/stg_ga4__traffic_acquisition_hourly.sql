-- depends_on: {{ source('ga4', 'traffic_acquisition_hourly') }}
with

-- The export's columns by GA4's header text, in any order (macro select_ga4_traffic_export).
-- Without an export configured: an empty relation of the same columns.
export_rows as (
    {%- if var('ga4_traffic_export_location') != '' %}
        select {{ select_ga4_traffic_export(source('ga4', 'traffic_acquisition_hourly')) }}
        from {{ source('ga4', 'traffic_acquisition_hourly') }}
    {%- else %}
        select
        {%- for column in ga4_traffic_export_columns() %}
                cast(null as {{ dbt.type_string() }}) as {{ column.name }}
                {{- ',' if not loop.last }}
        {%- endfor %}
        where 1 = 0
    {%- endif %}
),

-- GA4's totals row ('Grand total' in place of a dimension) sums the rows: not an hour.
hour_rows as (
    select *
    from export_rows
    where
        coalesce(lower(trim(date_hour)), '') <> 'grand total'
        and coalesce(lower(trim(session_primary_channel_group)), '') <> 'grand total'
),

typed as (
    select
        trim(date_hour) as date_hour,
        trim(session_primary_channel_group) as session_primary_channel_group,
        {{ try_cast('trim(users)', dbt.type_bigint()) }} as users,
        {{ try_cast('trim(sessions)', dbt.type_bigint()) }} as sessions,
        {{ try_cast('trim(engaged_sessions)', dbt.type_bigint()) }} as engaged_sessions,
        {{ try_cast('trim(average_engagement_time_per_session)', type_double()) }}
            as average_engagement_time_per_session,
        {{ try_cast('trim(engaged_sessions_per_user)', type_double()) }}
            as engaged_sessions_per_user,
        {{ try_cast('trim(events_per_session)', type_double()) }} as events_per_session,
        {{ try_cast('trim(engagement_rate)', type_double()) }} as engagement_rate,
        {{ try_cast('trim(event_count)', dbt.type_bigint()) }} as event_count
    from hour_rows
),

final as (
    select
        *,
        case
            when date_hour is null or not {{ regex_matches('date_hour', '^[0-9]{10}$') }}
                then 'invalid_date_hour'
            when session_primary_channel_group is null or session_primary_channel_group = ''
                then 'missing_channel_group'
            when
                users is null
                or sessions is null
                or engaged_sessions is null
                or average_engagement_time_per_session is null
                or engaged_sessions_per_user is null
                or events_per_session is null
                or engagement_rate is null
                or event_count is null
                then 'invalid_metric'
            when engagement_rate < 0 or engagement_rate > 1
                then 'engagement_rate_not_a_fraction'
        end as invalid_reason
    from typed
)

select * from final
