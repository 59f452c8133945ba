{#- The complementary error function erfc(x) of a SQL expression, as a double: Numerical
    Recipes' Chebyshev fit (erfcc), fractional error under 1.2e-7 everywhere, so the tail
    probabilities built on it (normal_two_sided_p_value, chi_square_p_value) keep their
    relative accuracy down to the smallest p-values. Plain arithmetic, exp and abs: the
    same on every engine. -#}
{% macro erfc(x) -%}
    {%- set absolute = 'abs(cast(' ~ x ~ ' as ' ~ type_double() ~ '))' -%}
    {%- set t = '(1.0 / (1.0 + 0.5 * ' ~ absolute ~ '))' -%}
    {%- set tail -%}
        {{ t }} * exp(
            -{{ absolute }} * {{ absolute }} - 1.26551223 + {{ t }} * (1.00002368
            + {{ t }} * (0.37409196 + {{ t }} * (0.09678418 + {{ t }} * (-0.18628806
            + {{ t }} * (0.27886807 + {{ t }} * (-1.13520398 + {{ t }} * (1.48851587
            + {{ t }} * (-0.82215223 + {{ t }} * 0.17087277))))))))
        )
    {%- endset -%}
    (case when {{ x }} >= 0 then {{ tail }} else 2.0 - {{ tail }} end)
{%- endmacro %}
