{#- P(X >= x) for a chi-square variable X with df degrees of freedom, df a whole number
    from 1 to max_df (a SQL expression; null outside that range or when x is null): the
    closed forms for whole df, exact but for erfc's 1.2e-7 relative error,
      even df: exp(-x/2) x sum over j < df/2 of (x/2)^j / j!
      odd df:  erfc(sqrt(x/2)) + sqrt(2/pi) exp(-x/2) x sum over 1 <= j <= (df-1)/2 of
               x^(j - 1/2) / (1 x 3 x ... x (2j - 1)),
    with the terms unrolled at compile time up to max_df. The sample-ratio check uses it with
    df = number of variants - 1. Capped at 1 (macro at_most_one). -#}
{% macro chi_square_p_value(x, df, max_df=9) -%}
    {%- set x = 'cast(' ~ x ~ ' as ' ~ type_double() ~ ')' -%}
    {%- set whens = [] -%}
    {%- for k in range(1, max_df + 1) -%}
        {%- set terms = [] -%}
        {%- if k % 2 == 0 -%}
            {%- set factorial = namespace(value=1) -%}
            {%- for j in range(k // 2) -%}
                {%- if j > 0 %}{% set factorial.value = factorial.value * j %}{% endif -%}
                {%- do terms.append('power(' ~ x ~ ' / 2.0, ' ~ j ~ ') / ' ~ factorial.value) -%}
            {%- endfor -%}
            {%- set p = 'exp(-' ~ x ~ ' / 2.0) * (' ~ terms | join(' + ') ~ ')' -%}
        {%- else -%}
            {%- set double_factorial = namespace(value=1) -%}
            {%- for j in range(1, (k - 1) // 2 + 1) -%}
                {%- set double_factorial.value = double_factorial.value * (2 * j - 1) -%}
                {%- do terms.append(
                    'power(' ~ x ~ ', ' ~ (j - 0.5) ~ ') / ' ~ double_factorial.value
                ) -%}
            {%- endfor -%}
            {%- set p = erfc('sqrt(' ~ x ~ ' / 2.0)') -%}
            {%- if terms -%}
                {%- set p = p ~ ' + sqrt(2.0 / pi()) * exp(-' ~ x ~ ' / 2.0) * ('
                    ~ terms | join(' + ') ~ ')' -%}
            {%- endif -%}
        {%- endif -%}
        {%- do whens.append('when ' ~ df ~ ' = ' ~ k ~ ' then ' ~ p) -%}
    {%- endfor -%}
    {{ at_most_one('case ' ~ whens | join(' ') ~ ' end') }}
{%- endmacro %}
