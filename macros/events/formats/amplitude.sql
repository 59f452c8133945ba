{#- Amplitude Export API (GET /api/2/export, https://amplitude.com/docs/apis/analytics/export):
    one JSON line per event (docs/your-data.md "Amplitude export" has the mapping table).
    - event_id: $insert_id (the producer's deduplication id, stable across re-sends), else
      uuid (Amplitude's id of the stored event, stable across overlapping exports).
    - occurred_at: event_time ('YYYY-MM-DD HH:MM:SS.ffffff', UTC), else client_event_time;
      received_at: server_received_time, else server_upload_time (UTC).
    - session_id: Amplitude's session_id is the session's start in epoch milliseconds per
      device, -1 for an event outside any session: device_id || '-' || session_id.
    - device_type: Amplitude has no device category: tablet when device_type or
      device_family names an iPad or a tablet, mobile when it names a phone (iPhone,
      Android, phone) or platform is iOS or Android, else desktop when any device field is
      set.
    - country: an English country name, mapped to its ISO code (macro
      country_code_from_name).
    - page, referrer, UTM: the Browser SDK's [Amplitude] Page Location (else [Amplitude]
      Page URL, else page_url), referrer (else referrer_url), and utm_* of
      event_properties; not user_properties, which carry the user's last attribution on
      every later event. Staging also reads utm_* from the page URL.
    - revenue: event_properties $revenue (Amplitude's revenue field), else revenue.
    - properties: event_properties; element (else [Amplitude] Element Selector), click_x,
      click_y, feature_name and product_id (else $productId) are read from it. -#}
{% macro default__amplitude_event_contract(record, source_table) -%}
    {%- set device_id = json_text(record, ['device_id']) -%}
    {%- set session = json_text(record, ['session_id']) -%}
    {%- set device_text = 'lower(' ~ dbt.concat([
        "coalesce(" ~ json_text(record, ['device_type']) ~ ", '')", "' '",
        "coalesce(" ~ json_text(record, ['device_family']) ~ ", '')",
    ]) ~ ')' -%}
    {%- set platform = 'lower(' ~ json_text(record, ['platform']) ~ ')' -%}
    {%- set property = {} -%}
    {%- for key in [
        '[Amplitude] Page Location', '[Amplitude] Page URL', 'page_url', 'referrer',
        'referrer_url', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term',
        'element', '[Amplitude] Element Selector', 'click_x', 'click_y', 'feature_name',
        'product_id', '$productId', '$revenue', 'revenue'
    ] -%}
        {%- do property.update({key: json_text(record, ['event_properties', key])}) -%}
    {%- endfor -%}
    coalesce(
        {{ json_text(record, ['$insert_id']) }}, {{ json_text(record, ['uuid']) }}
    ) as event_id,
    {{ device_id }} as anonymous_id,
    {{ json_text(record, ['user_id']) }} as user_id,
    case
        when {{ session }} is not null and {{ session }} <> '-1'
            then {{ dbt.concat([device_id, "'-'", session]) }}
    end as session_id,
    {{ json_text(record, ['event_type']) }} as event_name,
    coalesce(
        {{ json_text(record, ['event_time']) }}, {{ json_text(record, ['client_event_time']) }}
    ) as occurred_at,
    coalesce(
        {{ json_text(record, ['server_received_time']) }},
        {{ json_text(record, ['server_upload_time']) }}
    ) as received_at,
    coalesce(
        {{ property['[Amplitude] Page Location'] }},
        {{ property['[Amplitude] Page URL'] }},
        {{ property.page_url }}
    ) as page_url,
    coalesce({{ property.referrer }}, {{ property.referrer_url }}) as referrer_url,
    {%- for column in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] %}
    {{ property[column] }} as {{ column }},
    {%- endfor %}
    case
        when {{ device_text }} like '%ipad%' or {{ device_text }} like '%tablet%' then 'tablet'
        when
            {{ device_text }} like '%iphone%'
            or {{ device_text }} like '%android%'
            or {{ device_text }} like '%phone%'
            or {{ platform }} in ('ios', 'android')
            then 'mobile'
        when trim({{ device_text }}) <> '' or {{ platform }} is not null then 'desktop'
    end as device_type,
    {{ country_code_from_name(json_text(record, ['country'])) }} as country,
    coalesce({{ property.element }}, {{ property['[Amplitude] Element Selector'] }}) as element,
    {{ property.click_x }} as click_x,
    {{ property.click_y }} as click_y,
    {{ property.feature_name }} as feature_name,
    coalesce({{ property.product_id }}, {{ property['$productId'] }}) as product_id,
    coalesce({{ property['$revenue'] }}, {{ property.revenue }}) as revenue,
    {{ json_text(record, ['event_properties']) }} as properties
{%- endmacro %}

{#- An Amplitude export loaded into the warehouse: the events table of source amplitude. -#}
{% macro default__amplitude_event_tables() -%}
    {{ return([(source('amplitude', 'events'), 'events')]) }}
{%- endmacro %}
