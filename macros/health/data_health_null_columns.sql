{#- The columns of int_events_deduplicated whose null rate the data-health checks watch
    (rpt_event_null_rates_hourly): the optional columns of the event contract (the
    contract's session_id is tracker_session_id), and user_id. The required ids and times
    cannot be null there (such rows are quarantined); device_type is a dimension of the
    checks (null as 'unknown'). -#}
{% macro data_health_null_columns() -%}
    {{ return([
        'user_id', 'tracker_session_id', 'page_url', 'referrer_url', 'utm_source', 'utm_medium',
        'utm_campaign', 'utm_content', 'utm_term', 'country', 'element', 'click_x', 'click_y',
        'feature_name', 'product_id', 'revenue', 'properties',
    ]) }}
{%- endmacro %}
