{#- The value at `keys` (object keys, outermost first) of the JSON text `json`, as text: a
    string without its quotes, a number or boolean as written, an object or array as its JSON
    text; null when a key is absent, the value is JSON null, or `json` is not an object.
    Keys may hold any character ('$insert_id', 'ga_session_id'). Tracker formats
    (macros/events/formats) read their records through it. -#}
{% macro json_text(json, keys) -%}
    {{ return(adapter.dispatch('json_text', 'behavioral_warehouse')(json, keys)) }}
{%- endmacro %}

{% macro default__json_text(json, keys) -%}
    {%- set path = [] -%}
    {%- for key in keys -%}
        {%- do path.append('"' ~ key | replace("'", "''") | replace('"', '\\"') ~ '"') -%}
    {%- endfor -%}
    json_extract_string({{ json }}, '$.{{ path | join(".") }}')
{%- endmacro %}

{% macro postgres__json_text(json, keys) -%}
    {%- set path = [] -%}
    {%- for key in keys -%}
        {%- do path.append('"' ~ key | replace("'", "''") | replace('"', '\\"') ~ '"') -%}
    {%- endfor -%}
    (cast({{ json }} as jsonb) #>> '{ {{- path | join(",") -}} }')
{%- endmacro %}

{% macro spark__json_text(json, keys) -%}
    {%- set path = [] -%}
    {%- for key in keys -%}
        {%- do path.append("[''" ~ key | replace("'", "\\'") ~ "'']") -%}
    {%- endfor -%}
    get_json_object({{ json }}, '${{ path | join("") }}')
{%- endmacro %}
