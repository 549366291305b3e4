{{ section_fact('equality') }}
