{#- The standard normal quantile of a probability p in (0, 1) (the inverse of the normal
    CDF), as a double: Acklam's rational approximation, relative error under 1.2e-9, in
    three regions (lower tail below 0.02425, central, upper tail). Used on constants
    (the confidence level), so the engine computes it once. -#}
{% macro normal_quantile(p) -%}
    {%- set p = 'cast(' ~ p ~ ' as ' ~ type_double() ~ ')' -%}
    {%- set a = [-39.69683028665376, 220.9460984245205, -275.9285104469687,
                 138.3577518672690, -30.66479806614716, 2.506628277459239] -%}
    {%- set b = [-54.47609879822406, 161.5858368580409, -155.6989798598866,
                 66.80131188771972, -13.28068155288572] -%}
    {%- set c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838,
                 -2.549732539343734, 4.374664141464968, 2.938163982698783] -%}
    {%- set d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996,
                 3.754408661907416] -%}
    {#- the tails share one fit: q = sqrt(-2 ln(tail probability)) -#}
    {%- set tail_q = 'sqrt(-2.0 * ln(case when ' ~ p ~ ' < 0.5 then ' ~ p ~ ' else 1.0 - ' ~ p ~ ' end))' -%}
    {%- set tail -%}
        (((((({{ c[0] }} * {{ tail_q }} + {{ c[1] }}) * {{ tail_q }} + {{ c[2] }}) * {{ tail_q }}
        + {{ c[3] }}) * {{ tail_q }} + {{ c[4] }}) * {{ tail_q }} + {{ c[5] }})
        / (((({{ d[0] }} * {{ tail_q }} + {{ d[1] }}) * {{ tail_q }} + {{ d[2] }}) * {{ tail_q }}
        + {{ d[3] }}) * {{ tail_q }} + 1.0))
    {%- endset -%}
    {%- set q = '(' ~ p ~ ' - 0.5)' -%}
    {%- set r = '(' ~ q ~ ' * ' ~ q ~ ')' -%}
    {%- set central -%}
        ((((((({{ a[0] }} * {{ r }} + {{ a[1] }}) * {{ r }} + {{ a[2] }}) * {{ r }} + {{ a[3] }}) * {{ r }}
        + {{ a[4] }}) * {{ r }} + {{ a[5] }}) * {{ q }})
        / ((((({{ b[0] }} * {{ r }} + {{ b[1] }}) * {{ r }} + {{ b[2] }}) * {{ r }} + {{ b[3] }}) * {{ r }}
        + {{ b[4] }}) * {{ r }} + 1.0))
    {%- endset -%}
    (case
        when {{ p }} < 0.02425 then {{ tail }}
        when {{ p }} > 0.97575 then -{{ tail }}
        else {{ central }}
    end)
{%- endmacro %}
