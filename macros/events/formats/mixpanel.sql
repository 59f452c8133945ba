{#- Mixpanel: one record of its raw event export (GET /api/2.0/export, JSON lines
    {"event": ..., "properties": {...}}; https://developer.mixpanel.com/reference/raw-event-export)
    as the event contract (docs/your-data.md#mixpanel). `properties` may also be JSON text (a
    table that holds it as a string). Mixpanel has no session id: sessions follow our own rule
    unless the project sends a `session_id` super property.
    - event_id: $insert_id (what Mixpanel deduplicates on); a record without it is
      quarantined as missing_event_id.
    - identity (simplified and original ID merge): user_id is $user_id, else $identified_id of
      an $identify, the alias of a $create_alias, or a distinct_id that is neither $device_id
      nor a `$device:` id; anonymous_id is $device_id, else $anon_distinct_id of an $identify,
      the distinct_id of a $create_alias, or the distinct_id (without `$device:`) of an
      anonymous event.
    - occurred_at: `time`, epoch seconds, or milliseconds (export with time_in_ms) when 1e11 or
      more; a project created before 2023 exports it in its own time zone (var
      mixpanel_project_timezone). received_at: mp_processing_time_ms (epoch ms, UTC).
    - page and traffic: $current_url, $referrer ('$direct' = none), utm_*; country
      mp_country_code; device_type from $device / $model / $os (the SDKs send no device type).
    - element, click_x, click_y, feature_name, product_id, revenue, session_id: the
      same-named properties. properties: every property but those read verbatim above. -#}
{% macro default__mixpanel_event_contract(record, source_table) -%}
    {#- properties that are not an object (JSON text of anything else) read as none -#}
    {%- set properties_text = json_text(record, ['properties']) -%}
    {%- set properties = '(case when substr(' ~ properties_text ~ ", 1, 1) = '{' then "
        ~ properties_text ~ ' end)' -%}
    {%- set verbatim_keys = [
        '$insert_id', 'time', 'mp_processing_time_ms', '$current_url', '$referrer',
        'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'mp_country_code',
        'session_id', 'element', 'click_x', 'click_y', 'feature_name', 'product_id', 'revenue',
    ] -%}
    {%- set property = json_text_values(properties, verbatim_keys + [
        'distinct_id', '$device_id', '$user_id', '$identified_id', '$anon_distinct_id', 'alias',
        '$device', '$model', '$os',
    ]) -%}
    {%- set event = json_text(record, ['event']) -%}
    {%- set distinct_id = property['distinct_id'] -%}
    {%- set device_id = property['$device_id'] -%}
    {%- set time = property['time'] -%}
    {%- set device = 'nullif(' ~ property['$device'] ~ ", '')" -%}
    {%- set os = property['$os'] -%}
    {%- set user_id -%}
        coalesce(
            {{ property['$user_id'] }},
            case
                when {{ event }} = '$identify' then {{ property['$identified_id'] }}
                when {{ event }} = '$create_alias' then {{ property['alias'] }}
                when {{ distinct_id }} <> {{ device_id }} and {{ distinct_id }} not like '$device:%'
                    then {{ distinct_id }}
            end
        )
    {%- endset -%}
    {%- set occurred_at -%}
        case
            when {{ try_cast(time, type_double()) }} >= 100000000000
                then {{ epoch_to_timestamp_text(time, 'milliseconds') }}
            else {{ epoch_to_timestamp_text(time, 'seconds') }}
        end
    {%- endset -%}
    {%- set time_zone = var('mixpanel_project_timezone') -%}
    {{ property['$insert_id'] }} as event_id,
    coalesce(
        {{ device_id }},
        case
            when {{ event }} = '$identify' then {{ property['$anon_distinct_id'] }}
            when {{ event }} = '$create_alias' then {{ distinct_id }}
        end,
        case
            when ({{ user_id }}) is null and {{ distinct_id }} like '$device:%' then substr({{ distinct_id }}, 9)
            when ({{ user_id }}) is null then {{ distinct_id }}
        end
    ) as anonymous_id,
    {{ user_id }} as user_id,
    {{ property['session_id'] }} as session_id,
    {{ event }} as event_name,
    {%- if time_zone | upper in ('UTC', 'ETC/UTC') %}
    {{ occurred_at }} as occurred_at,
    {%- else %}
    {{ dbt.concat([occurred_at, "' " ~ time_zone | replace("'", "''") ~ "'"]) }} as occurred_at,
    {%- endif %}
    {{ epoch_to_timestamp_text(property['mp_processing_time_ms'], 'milliseconds') }} as received_at,
    {{ property['$current_url'] }} as page_url,
    nullif({{ property['$referrer'] }}, '$direct') as referrer_url,
    {%- for key in ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] %}
    {{ property[key] }} as {{ key }},
    {%- endfor %}
    case
        when {{ device }} = 'iPad' or lower({{ property['$model'] }}) like 'ipad%' then 'tablet'
        when {{ device }} is not null or {{ os }} in ('iOS', 'Android', 'Windows Phone') then 'mobile'
        when {{ os }} is not null then 'desktop'
    end as device_type,
    {{ property['mp_country_code'] }} as country,
    {%- for key in ['element', 'click_x', 'click_y', 'feature_name', 'product_id', 'revenue'] %}
    {{ property[key] }} as {{ key }},
    {%- endfor %}
    {{ json_without_keys(properties, verbatim_keys) }} as properties
{%- endmacro %}

{#- The tables of a Mixpanel export loaded into the warehouse (models/staging/mixpanel/),
    read when var raw_events_location is empty. -#}
{% macro default__mixpanel_event_tables() -%}
    {{ return([(source('mixpanel', 'events'), 'events')]) }}
{%- endmacro %}
