{#- The raw event contract (docs/your-data.md): every column the source may deliver,
    and whether a source without it is refused. Optional columns that are missing are
    read as null; columns not listed are ignored. -#}
{% macro event_contract_columns() -%}
    {{ return([
        {'name': 'event_id', 'required': true},
        {'name': 'anonymous_id', 'required': true},
        {'name': 'user_id', 'required': true},
        {'name': 'session_id', 'required': false},
        {'name': 'event_name', 'required': true},
        {'name': 'occurred_at', 'required': true},
        {'name': 'received_at', 'required': true},
        {'name': 'page_url', 'required': false},
        {'name': 'referrer_url', 'required': false},
        {'name': 'utm_source', 'required': false},
        {'name': 'utm_medium', 'required': false},
        {'name': 'utm_campaign', 'required': false},
        {'name': 'utm_content', 'required': false},
        {'name': 'utm_term', 'required': false},
        {'name': 'device_type', 'required': false},
        {'name': 'country', 'required': false},
        {'name': 'element', 'required': false},
        {'name': 'click_x', 'required': false},
        {'name': 'click_y', 'required': false},
        {'name': 'feature_name', 'required': false},
        {'name': 'product_id', 'required': false},
        {'name': 'revenue', 'required': false},
        {'name': 'properties', 'required': false},
    ]) }}
{%- endmacro %}
