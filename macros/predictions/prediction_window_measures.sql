{#- The measures of each trailing window (var prediction_feature_windows_days): counts and
    amounts, then rates, which describe how a person uses the product whatever their age. -#}
{% macro prediction_window_measures() -%}
    {{ return([
        'active_days', 'sessions', 'engaged_sessions', 'events', 'page_views', 'conversions',
        'revenue', 'features_used', 'feature_uses', 'avg_session_seconds', 'sessions_per_day',
        'events_per_session', 'feature_use_share'
    ]) }}
{%- endmacro %}
