{#- The columns of GA4's hourly traffic-acquisition export: from our sessions, or from such
    an export when ga4_traffic_export_location is set. -#}
{%- set ga4_export = var('ga4_traffic_export_location') != '' -%}

with

hourly as (
    select * from {{
        ref('stg_ga4__traffic_acquisition_hourly') if ga4_export
        else ref('int_channel_hours_aggregated')
    }}
    {%- if ga4_export %}
        where invalid_reason is null
    {%- endif %}
),

final as (
    select
        date_hour,
        session_primary_channel_group,
        users,
        sessions,
        engaged_sessions,
        average_engagement_time_per_session,
        engaged_sessions_per_user,
        events_per_session,
        engagement_rate,
        event_count
    from hourly
)

select * from final
