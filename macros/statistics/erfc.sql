{#- The complementary error function erfc(x) of a SQL expression, as a double: Numerical
    Recipes' Chebyshev fit (erfcc), fractional error under 1.2e-7 everywhere, so the tail
    probabilities built on it (normal_two_sided_p_value, chi_square_p_value) keep their
    relative accuracy down to the smallest p-values. Plain arithmetic, exp, power and abs:
    the same on every engine. The fit's polynomial in t (0 < t <= 1) is written as a flat
    sum of powers, not nested (Horner), so the SQL stays shallow for parsers. -#}
{% macro erfc(x) -%}
    {%- set absolute = 'abs(cast(' ~ x ~ ' as ' ~ type_double() ~ '))' -%}
    {%- set t = '(1.0 / (1.0 + 0.5 * ' ~ absolute ~ '))' -%}
    {%- set coefficients = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
                            0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277] -%}
    {%- set terms = [] -%}
    {%- for coefficient in coefficients -%}
        {%- do terms.append(
            (coefficient | string) if loop.first
            else coefficient ~ ' * power(' ~ t ~ ', ' ~ loop.index0 ~ ')'
        ) -%}
    {%- endfor -%}
    {%- set tail = t ~ ' * exp(-' ~ absolute ~ ' * ' ~ absolute ~ ' + '
        ~ terms | join(' + ') ~ ')' -%}
    (case when {{ x }} >= 0 then {{ tail }} else 2.0 - {{ tail }} end)
{%- endmacro %}
