{#- The value (as text) of the first of `keys` present in the JSON object `json` (macro
    json_text), null when none is: an exposure event's experiment and variant, under whichever
    name its tracker gives them. -#}
{% macro first_json_text(json, keys) -%}
    coalesce(
        {%- for key in keys %}
        {{ json_text(json, [key]) }}{{ ',' if not loop.last }}
        {%- endfor %}
    )
{%- endmacro %}
