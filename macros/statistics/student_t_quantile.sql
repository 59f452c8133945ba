{#- The Student t quantile with df degrees of freedom at the normal quantile z (for a 95%
    interval, z = 1.96 gives t at 0.975): Wallace's approximation inverted,
    t = sqrt(df x (exp(z^2 / (df c^2)) - 1)) with c = (8 df + 1) / (8 df + 3), so an interval
    built on it excludes 0 exactly when student_t_two_sided_p_value is below its alpha.
    Null when df is null or not positive. -#}
{% macro student_t_quantile(z, df) -%}
    {%- set df = 'cast(' ~ df ~ ' as ' ~ type_double() ~ ')' -%}
    {%- set c = '((8.0 * ' ~ df ~ ' + 1.0) / (8.0 * ' ~ df ~ ' + 3.0))' -%}
    (case when {{ df }} > 0 then
        sign({{ z }})
        * sqrt({{ df }} * (exp(({{ z }}) * ({{ z }}) / ({{ df }} * {{ c }} * {{ c }})) - 1.0))
    end)
{%- endmacro %}
