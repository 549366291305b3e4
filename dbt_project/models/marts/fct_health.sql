{{ section_fact('health') }}
