{#- The values at several top-level `keys` of the JSON text `json`, as a dict of key -> SQL
    expression, each like macro json_text(json, [key]): a string without its quotes, a number
    or boolean as written, an object or array as its JSON text; null when absent. How a
    tracker format reads the many keys of one properties object: on DuckDB the object is
    parsed once for all keys (one multi-path extraction, whose repeats DuckDB evaluates once):
    at 167k Mixpanel records, 25 keys took 2.7 s against 11.3 s for 25 json_text calls. -#}
{% macro json_text_values(json, keys) -%}
    {{ return(adapter.dispatch('json_text_values', 'behavioral_warehouse')(json, keys)) }}
{%- endmacro %}

{% macro default__json_text_values(json, keys) -%}
    {%- set paths = [] -%}
    {%- for key in keys -%}
        {%- do paths.append("'$.\"" ~ key | replace("'", "''") | replace('"', '\\"') ~ "\"'") -%}
    {%- endfor -%}
    {%- set values = {} -%}
    {%- for key in keys -%}
        {%- do values.update({key: '(json_extract_string(' ~ json ~ ', [' ~ paths | join(', ') ~ ']))[' ~ loop.index ~ ']'}) -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}

{#- Postgres and Spark: one json_text per key. -#}
{% macro postgres__json_text_values(json, keys) -%}
    {%- set values = {} -%}
    {%- for key in keys -%}
        {%- do values.update({key: json_text(json, [key])}) -%}
    {%- endfor -%}
    {{ return(values) }}
{%- endmacro %}

{% macro spark__json_text_values(json, keys) -%}
    {{ return(postgres__json_text_values(json, keys)) }}
{%- endmacro %}
