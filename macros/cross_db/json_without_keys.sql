{#- The JSON object text `json` without the top-level `keys` (a list of key names): what a
    tracker format keeps in `properties` once it has read some keys into contract columns.
    Null when `json` is null or not an object. -#}
{% macro json_without_keys(json, keys) -%}
    {{ return(adapter.dispatch('json_without_keys', 'behavioral_warehouse')(json, keys)) }}
{%- endmacro %}

{#- DuckDB: an RFC 7396 merge patch that sets each key to null removes it. -#}
{% macro default__json_without_keys(json, keys) -%}
    {%- set patch = [] -%}
    {%- for key in keys -%}
        {%- do patch.append('"' ~ key | replace('"', '\\"') ~ '":null') -%}
    {%- endfor -%}
    case
        when substr({{ json }}, 1, 1) = '{'
            then cast(json_merge_patch({{ json }}, '{ {{- patch | join(",") | replace("'", "''") -}} }') as {{ dbt.type_string() }})
    end
{%- endmacro %}

{% macro postgres__json_without_keys(json, keys) -%}
    {%- set quoted = [] -%}
    {%- for key in keys -%}
        {%- do quoted.append("'" ~ key | replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    case
        when substr({{ json }}, 1, 1) = '{'
            then cast(cast({{ json }} as jsonb) - cast(array[{{ quoted | join(', ') }}] as text[]) as text)
    end
{%- endmacro %}

{#- Spark: read as a map of key to JSON text (nested values stay JSON text), filtered. -#}
{% macro spark__json_without_keys(json, keys) -%}
    {%- set quoted = [] -%}
    {%- for key in keys -%}
        {%- do quoted.append("'" ~ key | replace("'", "\\'") ~ "'") -%}
    {%- endfor -%}
    case
        when substr({{ json }}, 1, 1) = '{'
            then to_json(map_filter(
                from_json({{ json }}, 'map<string, string>'),
                (property_key, property_value) -> not array_contains(array({{ quoted | join(', ') }}), property_key)
            ))
    end
{%- endmacro %}
