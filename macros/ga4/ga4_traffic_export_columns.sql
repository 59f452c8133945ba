{#- The GA4 traffic-acquisition export contract (source ga4.traffic_acquisition_hourly):
    each column, in our order, with the header texts that name it in a GA4 CSV download,
    GA4's current name first, then an older or alternative one. Every column is required;
    others are ignored. A header names a column when it equals one of these texts, or the
    column's own name (an export loaded as a table with our names), once case, spacing and
    a trailing qualifier in parentheses are ignored (macro ga4_traffic_export_header_columns):
    'Date + hour (YYYYMMDDHH)' is 'Date + hour'. -#}
{% macro ga4_traffic_export_columns() -%}
    {{ return([
        {'name': 'date_hour', 'headers': ['Date + hour']},
        {'name': 'session_primary_channel_group',
            'headers': ['Session primary channel group', 'Session default channel group']},
        {'name': 'users', 'headers': ['Users', 'Active users']},
        {'name': 'sessions', 'headers': ['Sessions']},
        {'name': 'engaged_sessions', 'headers': ['Engaged sessions']},
        {'name': 'average_engagement_time_per_session',
            'headers': ['Average engagement time per session']},
        {'name': 'engaged_sessions_per_user', 'headers': ['Engaged sessions per user']},
        {'name': 'events_per_session', 'headers': ['Events per session']},
        {'name': 'engagement_rate', 'headers': ['Engagement rate']},
        {'name': 'event_count', 'headers': ['Event count']},
    ]) }}
{%- endmacro %}
