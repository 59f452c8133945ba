{#- The standard normal quantile of a probability p in (0, 1) (the inverse of the normal
    CDF), as a double: Acklam's rational approximation, relative error under 1.2e-9, in
    three regions (lower tail below 0.02425, central, upper tail by symmetry). Used on
    constants (the confidence level), so the engine computes it once. -#}
{% macro normal_quantile(p) -%}
    {%- set p = 'cast(' ~ p ~ ' as ' ~ type_double() ~ ')' -%}
    {#- the polynomials, highest power first, written as flat sums of powers (nested Horner
        form is too deep for SQL parsers) -#}
    {%- set fits = {
        'central_numerator': [-39.69683028665376, 220.9460984245205, -275.9285104469687,
                              138.3577518672690, -30.66479806614716, 2.506628277459239],
        'central_denominator': [-54.47609879822406, 161.5858368580409, -155.6989798598866,
                                66.80131188771972, -13.28068155288572, 1.0],
        'tail_numerator': [-0.007784894002430293, -0.3223964580411365, -2.400758277161838,
                           -2.549732539343734, 4.374664141464968, 2.938163982698783],
        'tail_denominator': [0.007784695709041462, 0.3224671290700398, 2.445134137142996,
                             3.754408661907416, 1.0],
    } -%}
    {%- set tail_probability = 'case when ' ~ p ~ ' < 0.5 then ' ~ p
        ~ ' else 1.0 - ' ~ p ~ ' end' -%}
    {%- set at = {
        'central': '((' ~ p ~ ' - 0.5) * (' ~ p ~ ' - 0.5))',
        'tail': 'sqrt(-2.0 * ln(' ~ tail_probability ~ '))',
    } -%}
    {%- set value = {} -%}
    {%- for name, coefficients in fits.items() -%}
        {%- set x = at[name.split('_')[0]] -%}
        {%- set terms = [] -%}
        {%- for coefficient in coefficients -%}
            {%- set power = coefficients | length - loop.index -%}
            {%- do terms.append(
                (coefficient | string) if power == 0
                else coefficient ~ ' * power(' ~ x ~ ', ' ~ power ~ ')'
            ) -%}
        {%- endfor -%}
        {%- do value.update({name: terms | join(' + ')}) -%}
    {%- endfor -%}
    {%- set tail = '(' ~ value.tail_numerator ~ ') / (' ~ value.tail_denominator ~ ')' -%}
    (case
        when {{ p }} < 0.02425 then {{ tail }}
        when {{ p }} > 0.97575 then -({{ tail }})
        else ({{ p }} - 0.5) * ({{ value.central_numerator }}) / ({{ value.central_denominator }})
    end)
{%- endmacro %}
