{#- The severity of a data-health anomaly (the rule, in one place): null without one; warn
    for a new key; error for a missing hour (a key that stopped) and when the largest |z| of
    `z_scores` (SQL expressions; a null one is ignored) is at least data_health_error_z;
    else warn. -#}
{% macro anomaly_severity(anomaly_kind, z_scores) -%}
    case
        when {{ anomaly_kind }} is null then null
        when {{ anomaly_kind }} = 'new' then 'warn'
        when {{ anomaly_kind }} = 'missing' then 'error'
        when
            {% if z_scores | length > 1 -%}
                greatest(
                    {%- for z in z_scores %}
                    coalesce(abs({{ z }}), 0){{ ',' if not loop.last }}
                    {%- endfor %}
                )
            {%- else -%}
                abs({{ z_scores[0] }})
            {%- endif %} >= {{ var('data_health_error_z') }}
            then 'error'
        else 'warn'
    end
{%- endmacro %}
