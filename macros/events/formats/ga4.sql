{#- GA4 (Google Analytics 4) BigQuery event export, one row of events_YYYYMMDD (or
    events_intraday_YYYYMMDD) per record: https://support.google.com/analytics/answer/7029846
    (docs/your-data.md "GA4 BigQuery export" has the mapping table).
    - event_id: GA4 has no event id; a key of the fields that identify an event on its
      device (stream_id, user_pseudo_id, event_timestamp, event_name, batch_page_id,
      batch_ordering_id, batch_event_index) and its parameters, so the same event exported
      twice (a re-export, an intraday and a daily table) is one event_id and deduplicates.
      event_server_timestamp_offset is left out: a re-export may carry another upload time.
    - occurred_at: event_timestamp, microseconds since the epoch, UTC (a number, or a string
      as the JSON export writes INT64). received_at: event_timestamp +
      event_server_timestamp_offset (the offset between collection and upload, in
      microseconds; 0 when absent).
    - session_id: GA4's ga_session_id parameter is the session's start in seconds, unique
      only per device: user_pseudo_id || '-' || ga_session_id.
    - UTM: event-scoped collected_traffic_source.manual_* first, then the source, medium,
      campaign, content and term parameters; not traffic_source, which is the user's first
      touch (user-scoped), not the event's. Staging also reads utm_* from page_location.
    - revenue: ecommerce.purchase_revenue, else the value parameter of a purchase event
      (value on other events, such as add_to_cart, is not revenue).
    - properties: event_params flattened to {key: value} (macro ga4_event_params_object);
      element, click_x, click_y, feature_name and product_id are read from parameters of
      those names (product_id: items[0].item_id first). -#}
{% macro default__ga4_event_contract(record, source_table) -%}
    {%- set params = ga4_event_params_object(record) -%}
    {%- set param = {} -%}
    {%- for key in [
        'ga_session_id', 'page_location', 'page_referrer', 'source', 'medium', 'campaign',
        'content', 'term', 'element', 'click_x', 'click_y', 'feature_name', 'product_id', 'value'
    ] -%}
        {%- do param.update({key: json_text(params, [key])}) -%}
    {%- endfor -%}
    {%- set user_pseudo_id = json_text(record, ['user_pseudo_id']) -%}
    {%- set event_name = json_text(record, ['event_name']) -%}
    {%- set event_timestamp = json_text(record, ['event_timestamp']) -%}
    {%- set bigint = dbt.type_bigint() -%}
    {%- set received_micros = try_cast(event_timestamp, bigint) ~ ' + '
        ~ try_cast('coalesce(' ~ json_text(record, ['event_server_timestamp_offset']) ~ ", '0')", bigint) -%}
    {%- set utm = {
        'utm_source': ('manual_source', 'source'),
        'utm_medium': ('manual_medium', 'medium'),
        'utm_campaign': ('manual_campaign_name', 'campaign'),
        'utm_content': ('manual_content', 'content'),
        'utm_term': ('manual_term', 'term'),
    } -%}
    {{ surrogate_key([
        json_text(record, ['stream_id']),
        user_pseudo_id,
        event_timestamp,
        event_name,
        json_text(record, ['batch_page_id']),
        json_text(record, ['batch_ordering_id']),
        json_text(record, ['batch_event_index']),
        params,
    ]) }} as event_id,
    {{ user_pseudo_id }} as anonymous_id,
    {{ json_text(record, ['user_id']) }} as user_id,
    case
        when {{ param.ga_session_id }} is not null
            then {{ dbt.concat([user_pseudo_id, "'-'", param.ga_session_id]) }}
    end as session_id,
    {{ event_name }} as event_name,
    {{ epoch_to_timestamp_text(event_timestamp, 'microseconds') }} as occurred_at,
    {{ epoch_to_timestamp_text(received_micros, 'microseconds') }} as received_at,
    {{ param.page_location }} as page_url,
    {{ param.page_referrer }} as referrer_url,
    {%- for column, fields in utm.items() %}
    coalesce(
        {{ json_text(record, ['collected_traffic_source', fields[0]]) }},
        {{ param[fields[1]] }}
    ) as {{ column }},
    {%- endfor %}
    {{ json_text(record, ['device', 'category']) }} as device_type,
    {{ country_code_from_name(json_text(record, ['geo', 'country'])) }} as country,
    {{ param.element }} as element,
    {{ param.click_x }} as click_x,
    {{ param.click_y }} as click_y,
    {{ param.feature_name }} as feature_name,
    coalesce({{ ga4_first_item_id(record) }}, {{ param.product_id }}) as product_id,
    coalesce(
        {{ json_text(record, ['ecommerce', 'purchase_revenue']) }},
        case when {{ normalize_event_name(event_name) }} = 'purchase' then {{ param.value }} end
    ) as revenue,
    {{ params }} as properties
{%- endmacro %}

{#- A GA4 export loaded into the warehouse: the events table of source ga4_export. -#}
{% macro default__ga4_event_tables() -%}
    {{ return([(source('ga4_export', 'events'), 'events')]) }}
{%- endmacro %}
